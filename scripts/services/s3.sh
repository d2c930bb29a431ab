#!/usr/bin/env bash
# S3Proxy (Apache-2.0) on 127.0.0.1:$KURA_S3_PORT, objects under $KURA_DATA/s3/data.
# Chosen over moto because it really checks SigV4 signatures and pre-signed URL expiry, so
# upload tests fail here the way they would on S3. Pre-signed PUTs are enforced, including
# a signed-in Content-Length, Content-Type or Content-MD5.
# What it does not do (2.6.0, filesystem backend): bucket lifecycle and bucket CORS rules,
# versioning, object tagging, GetObjectAttributes; checksum headers and If-None-Match on PUT
# are ignored (not verified; the PUT overwrites); pre-signed POST checks the signature but
# not the policy (key, content-length-range, expiry); multipart ETags lack S3's "-N" suffix;
# unfinished multipart uploads show up as extra keys in an unprefixed listing; a key cannot
# be both an object and a prefix ("a" and "a/b": 500), as both are files on disk.
SERVICE_NAME=s3
. "$(dirname "$0")/lib.sh"

S3PROXY_VERSION=2.6.0
S3PROXY_ARTIFACT="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies"
DIR="$KURA_DATA/s3"
JAR="$DIR/dist/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
CONF="$DIR/s3proxy.conf"
PIDFILE="$DIR/s3proxy.pid"
URL="http://127.0.0.1:$KURA_S3_PORT"

# A signed HEAD of the bucket: proves the server is up, takes Kura's keys and has the bucket.
# S3Proxy answers a SigV4 request without x-amz-content-sha256 with a 500, and curl 7.88
# does not add that header itself.
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

svc_up() {
  # filesystem-nio2 maps each bucket to a top-level directory, so this is "create bucket",
  # idempotent and race-free, even while the server runs.
  mkdir -p "$DIR/data/$KURA_S3_BUCKET"
  svc_status && return 0
  # Two concurrent `up`s would both start a server and the loser would own the pid file.
  exec 9>"$DIR/up.lock"
  flock 9
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
  log "ready on $URL (bucket $KURA_S3_BUCKET)"
}

svc_down() {
  stop_pid "$PIDFILE"
}

run_verb "$@"
