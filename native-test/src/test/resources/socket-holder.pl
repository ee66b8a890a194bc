#!/usr/bin/perl
# socket-holder.pl HOST:PORT NAME -- COMMAND...
#
# Does what systemd does for a service with a .socket unit, where systemd is not PID 1 (tests,
# containers): holds the listening socket for the whole run and starts COMMAND with it as fd 3,
# LISTEN_FDS=1, LISTEN_PID=<the service's own pid> and LISTEN_FDNAMES=NAME (sd_listen_fds(3)).
#   SIGHUP            restart, as `systemctl restart` does: SIGTERM the service, wait for it to
#                     exit, start a new one. Connections arriving meanwhile wait in the accept queue.
#   SIGTERM, SIGINT   stop the service the same way, then exit 0.
# A service that exits on its own is logged and not restarted (Restart=no).
# Every event is one line on stdout, starting "socket-holder: ".
use strict;
use warnings;
use IO::Socket::INET;
use Socket qw(SOMAXCONN);
use POSIX qw(:signal_h :sys_wait_h dup2);
use Fcntl qw(F_GETFD F_SETFD FD_CLOEXEC);

$| = 1;
my ($address, $name, $dashes, @command) = @ARGV;
if (!defined $dashes || $dashes ne '--' || !@command || $address !~ /^(.+):(\d+)$/) {
    print STDERR "usage: socket-holder.pl HOST:PORT NAME -- COMMAND...\n";
    exit 2;
}
my ($host, $port) = ($1, $2);
my $listener = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Proto => 'tcp',
    Listen => 4096, ReuseAddr => 1) or die "socket-holder: cannot listen on $address: $@\n";
print "socket-holder: listening on $host:", $listener->sockport, "\n";

# Signals stay blocked except inside sigsuspend: a SIGHUP that arrives during a restart is kept
# and handled after it, never lost or run half-way through another.
my ($restart, $stop, $reap) = (0, 0, 0);
$SIG{HUP} = sub { $restart = 1 };
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };
$SIG{CHLD} = sub { $reap = 1 };
my $handled = POSIX::SigSet->new(SIGHUP, SIGTERM, SIGINT, SIGCHLD);
sigprocmask(SIG_BLOCK, $handled) or die "socket-holder: sigprocmask: $!\n";

my $service = start();
while (1) {
    sigsuspend(POSIX::SigSet->new());
    if ($reap) {
        $reap = 0;
        if ($service && waitpid($service, WNOHANG) == $service) {
            print "socket-holder: pid=$service exited code=", code($?), " on its own\n";
            $service = 0;
        }
    }
    if ($stop) {
        stop();
        print "socket-holder: exiting\n";
        exit 0;
    }
    if ($restart) {
        $restart = 0;
        print "socket-holder: restart requested\n";
        stop();
        $service = start();
    }
}

sub start {
    my $pid = fork();
    die "socket-holder: fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        # The service: the listener at fd 3 without close-on-exec, default signal mask.
        my $fd = fileno($listener);
        if ($fd == 3) {
            fcntl($listener, F_SETFD, 0) or die "socket-holder: fcntl: $!\n";
        } else {
            defined dup2($fd, 3) or die "socket-holder: dup2: $!\n";
        }
        $ENV{LISTEN_FDS} = 1;
        $ENV{LISTEN_PID} = $$; # exec keeps the pid: this is the service's own
        $ENV{LISTEN_FDNAMES} = $name;
        sigprocmask(SIG_SETMASK, POSIX::SigSet->new());
        exec { $command[0] } @command or die "socket-holder: cannot run $command[0]: $!\n";
    }
    print "socket-holder: started pid=$pid\n";
    return $pid;
}

sub stop {
    return unless $service;
    kill 'TERM', $service;
    waitpid($service, 0);
    print "socket-holder: pid=$service exited code=", code($?), "\n";
    $service = 0;
}

sub code {
    my ($status) = @_;
    return WIFEXITED($status) ? WEXITSTATUS($status) : 'signal ' . WTERMSIG($status);
}
