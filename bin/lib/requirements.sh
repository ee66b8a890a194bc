# Sourced by bin/demo and bin/prerequisites: what building baton needs, said in one line when it is missing.
require_jdk_and_maven() {
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  if ! command -v "$java" >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    echo "baton needs a JDK 17 or later (java and javac): on Debian, apt-get install -y openjdk-17-jdk-headless" >&2
    exit 1
  fi
  # "17.0.15" or "21.0.2"; Java 8 said "1.8.0_402".
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  case "$version" in
    1.*|9|1[0-6]|"")
      echo "baton needs a JDK 17 or later; $java is ${version:-of an unknown version}: set JAVA_HOME to a JDK 17" >&2
      exit 1 ;;
  esac
  if ! command -v mvn >/dev/null 2>&1; then
    echo "baton builds with Maven 3.8 or later: on Debian, apt-get install -y maven" >&2
    exit 1
  fi
}
