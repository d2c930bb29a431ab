#!/usr/bin/env bash
# S3Proxy (Apache-2.0) on 127.0.0.1:$KURA_S3_PORT, objects under $KURA_DATA/s3/data.
# Chosen over moto because it really checks SigV4 signatures and pre-signed URL expiry, so
# upload tests fail here the way they would on S3. Pre-signed PUTs are enforced, including
# a signed-in Content-Length, Content-Type or Content-MD5; so are If-None-Match on PUT,
# If-Match on GET and CopySourceIfMatch on copy, checksum headers (a wrong one is BadDigest)
# and a pre-signed POST's policy (content-length-range).
# What it does not do (4.1.0, filesystem backend): bucket lifecycle and bucket CORS rules,
# versioning, object tagging, GetObjectAttributes; a key cannot be both an object and a
# prefix ("a" and "a/b": 500 InternalError), as both are files on disk.
#
# The bucket is private. The filesystem backend has no ACL of its own: a bucket is public
# (anyone may list it, unsigned) when its directory is readable by others (POSIX o+r), and
# an object when its file is. So the bucket directory is made and kept mode 0700, also when
# it exists already (a bucket made by `mkdir` under the usual umask 022 was 0755: public),
# and the server runs under umask 077. Since 4.x, errors are S3's XML (code, message,
# request id): no Jetty page with a stack trace and the data directory's path (2.6.0 had one,
# e.g. for an unsigned GET of <key>/x where <key> is an object).
SERVICE_NAME=s3
. "$(dirname "$0")/lib.sh"

S3PROXY_VERSION=4.1.0
S3PROXY_ARTIFACT="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies"
DIR="$KURA_DATA/s3"
JAR="$DIR/dist/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
CONF="$DIR/s3proxy.conf"
PIDFILE="$DIR/s3proxy.pid"
URL="http://127.0.0.1:$KURA_S3_PORT"

# A signed HEAD of the bucket: proves the server is up, takes Kura's keys and has the bucket.
# S3Proxy refuses a SigV4 request without x-amz-content-sha256 (400; 2.6.0: 500), and curl
# 7.88 does not add that header itself.
svc_status() {
  curl -fs -o /dev/null --max-time 3 -I --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$KURA_S3_ACCESS_KEY:$KURA_S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "$URL/$KURA_S3_BUCKET"
}

install_s3proxy() {
  [ -f "$JAR" ] && return 0
  command -v mvn >/dev/null || apt_install maven
  log "fetching S3Proxy $S3PROXY_VERSION (local Maven repository, else Maven Central)"
  # dependency:copy rather than a path into ~/.m2: Maven picks its repository from the
  # passwd home and settings.xml, not from $HOME.
  local out
  if ! out=$(mvn -q -B dependency:copy -Dartifact="$S3PROXY_ARTIFACT" -DoutputDirectory="$DIR/dist" 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not fetch $S3PROXY_ARTIFACT"
  fi
}

write_config() {
  # jclouds.identity/credential are unused by the filesystem backend but must be set.
  # ignore-unknown-headers: boto3 >= 1.36 sends x-amz-checksum-* headers on every call and
  # S3Proxy would answer NotImplemented; ignored means checksums are NOT verified here.
  # No s3proxy.virtual-host: path-style addressing only.
  cat >"$CONF" <<EOF
s3proxy.endpoint=$URL
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$KURA_S3_ACCESS_KEY
s3proxy.credential=$KURA_S3_SECRET_KEY
s3proxy.ignore-unknown-headers=true
s3proxy.cors-allow-origins=*
s3proxy.cors-allow-methods=GET HEAD PUT POST DELETE
s3proxy.cors-allow-headers=*
s3proxy.cors-exposed-headers=ETag
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$DIR/data
jclouds.identity=unused
jclouds.credential=unused
EOF
}

# Ready, or the process is gone (port taken, bad config): either way stop polling.
started() { svc_status || ! pid_alive "$PIDFILE"; }

# The server this script started runs another version than this script's (an upgrade).
outdated() {
  pid_alive "$PIDFILE" && ! tr '\0' ' ' <"/proc/$(cat "$PIDFILE")/cmdline" | grep -qF -- "-jar $JAR "
}

# An unsigned listing of the bucket: 403 when it is private (anything else: it is not).
anonymous_list_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/$KURA_S3_BUCKET?max-keys=1"
}

svc_up() {
  # filesystem-nio2 maps each bucket to a top-level directory, so this is "create bucket",
  # idempotent and race-free, even while the server runs; 0700 makes (or keeps) it private,
  # as the backend reads the directory's mode at every request (see the top).
  umask 077
  mkdir -p "$DIR/data/$KURA_S3_BUCKET"
  chmod 0700 "$DIR/data" "$DIR/data/$KURA_S3_BUCKET"
  if svc_status && ! outdated; then
    private_or_die
    return 0
  fi
  # Two concurrent `up`s would both start a server and the loser would own the pid file.
  exec 9>"$DIR/up.lock"
  flock 9
  if outdated; then
    log "stopping the running S3Proxy, which is not $S3PROXY_VERSION"
    stop_pid "$PIDFILE"
  fi
  if ! pid_alive "$PIDFILE"; then
    install_s3proxy
    command -v java >/dev/null || apt_install openjdk-17-jre-headless
    write_config
    log "starting S3Proxy $S3PROXY_VERSION"
    # setsid: the server must outlive the shell (and process group) that ran `up`; 9>&-: it
    # must not inherit the lock. The heap covers SigV4 bodies, which S3Proxy buffers (up to
    # 128 MiB each) to check their hash. The logback listener only mutes logback's start-up.
    setsid java -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
      -jar "$JAR" --properties "$CONF" </dev/null >>"$DIR/s3proxy.log" 2>&1 9>&- &
    echo $! >"$PIDFILE"
  fi
  wait_until 60 s3proxy started
  svc_status || die "S3Proxy is not answering; see $DIR/s3proxy.log"
  private_or_die
  log "ready on $URL (bucket $KURA_S3_BUCKET)"
}

private_or_die() {
  local status
  status=$(anonymous_list_status)
  [ "$status" = 403 ] || die "an unsigned listing of bucket $KURA_S3_BUCKET answered $status, not 403"
}

svc_down() {
  stop_pid "$PIDFILE"
}

run_verb "$@"
