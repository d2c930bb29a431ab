#!/usr/bin/env bash
# Elasticsearch 9 (single node, no security) on 127.0.0.1:$KURA_ES_PORT, files under
# $KURA_DATA/elasticsearch, with Kura's analysis plugin (search/es-plugin) built and installed.
SERVICE_NAME=elasticsearch
. "$(dirname "$0")/lib.sh"

ES_VERSION=9.2.0
# The integ-test zip is the only Elasticsearch server build on Maven Central. It is minimal:
# no bundled JDK, no ML or geoip, and no analysis modules at all (no kuromoji, and not even
# analysis-common, so no cjk analyzer or ngram tokenizer; standard and shingle do exist).
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_USER=kura-es
DIR="$KURA_DATA/elasticsearch"
ES_HOME="$DIR/dist/elasticsearch-$ES_VERSION"
CONF="$DIR/config"
PIDFILE="$DIR/run/elasticsearch.pid"
URL="http://127.0.0.1:$KURA_ES_PORT"
# Kura's own analysis plugin (kuromoji and friends under kura_* names), built from the
# repository into $PLUGIN_BUILD, keyed by a hash of its sources.
PLUGIN_NAME=kura-analysis
PLUGIN_SRC="$KURA_ROOT/search/es-plugin"
PLUGIN_BUILD="$DIR/plugin"
PLUGIN_ZIP="$PLUGIN_BUILD/$PLUGIN_NAME.zip"

is_root() { [ "$(id -u)" = 0 ]; }

# Elasticsearch refuses to run as root.
as_es() {
  if is_root; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

svc_status() { curl -fs -o /dev/null --max-time 3 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s"; }

# Newest JDK >= 21 under /usr/lib/jvm; Debian 12 itself only ships 17.
find_jdk() {
  local release major best="" best_major=0
  for release in /usr/lib/jvm/*/release; do
    [ -x "${release%/release}/bin/java" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    if [ -n "$major" ] && ((major >= 21 && major > best_major)); then
      best=${release%/release} best_major=$major
    fi
  done
  [ -n "$best" ] || die "no JDK >= 21 under /usr/lib/jvm (Elasticsearch $ES_VERSION needs one; install e.g. temurin-25-jdk)"
  echo "$best"
}

install_es() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  command -v mvn >/dev/null || apt_install maven
  command -v unzip >/dev/null || apt_install unzip
  log "fetching Elasticsearch $ES_VERSION (local Maven repository, else Maven Central)"
  # dependency:copy rather than a path into ~/.m2: Maven picks its repository from the
  # passwd home and settings.xml, not from $HOME.
  rm -rf "$DIR/dist" "$DIR/dist.tmp" "$DIR/download"
  local out
  if ! out=$(mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$DIR/download" 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not fetch $ES_ARTIFACT"
  fi
  # Unpack beside and rename, so a half-unpacked tree never looks installed.
  unzip -q "$DIR/download/elasticsearch-$ES_VERSION.zip" -d "$DIR/dist.tmp"
  mv "$DIR/dist.tmp" "$DIR/dist"
  rm -rf "$DIR/download"
}

# A hash of the plugin's sources (relative paths and contents, without Maven's target/), so
# the same sources in another checkout count as the same plugin.
plugin_hash() {
  (cd "$PLUGIN_SRC" && find . -path ./target -prune -o -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# Build the plugin zip unless the one in $PLUGIN_BUILD came from the same sources.
build_plugin() {
  local hash; hash=$(plugin_hash)
  [ -f "$PLUGIN_ZIP" ] && [ "$(cat "$PLUGIN_BUILD/source.sha256" 2>/dev/null)" = "$hash" ] && return 0
  command -v mvn >/dev/null || apt_install maven
  local jdk; jdk=$(find_jdk)
  log "building the $PLUGIN_NAME plugin from search/es-plugin with $jdk"
  # Built in a copy: the checkout gets no target/ (and may be read-only or shared), and a
  # failed build leaves the previous zip in place.
  local work="$PLUGIN_BUILD/work" out
  rm -rf "$work" && mkdir -p "$work"
  tar -C "$PLUGIN_SRC" --exclude=./target -cf - . | tar -C "$work" -xf -
  if ! out=$(JAVA_HOME="$jdk" mvn -q -B -f "$work/pom.xml" package 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not build the $PLUGIN_NAME plugin (search/es-plugin)"
  fi
  mv "$work"/target/"$PLUGIN_NAME"-*.zip "$PLUGIN_ZIP"
  echo "$hash" >"$PLUGIN_BUILD/source.sha256"
  rm -rf "$work"
}

# The installed plugin is the built one: its hash was recorded when it was installed.
plugin_current() {
  [ -d "$ES_HOME/plugins/$PLUGIN_NAME" ] &&
    cmp -s "$PLUGIN_BUILD/source.sha256" "$PLUGIN_BUILD/installed.sha256"
}

# install_plugin JDK: replace the installed plugin with the built zip (the node must be
# stopped). Run as the script's user, not as_es: the plugins directory belongs to whoever
# unpacked the dist.
install_plugin() {
  plugin_current && return 0
  local env=(env ES_JAVA_HOME="$1" ES_PATH_CONF="$CONF") out
  rm -f "$PLUGIN_BUILD/installed.sha256"
  if [ -d "$ES_HOME/plugins/$PLUGIN_NAME" ]; then
    "${env[@]}" "$ES_HOME/bin/elasticsearch-plugin" remove --silent "$PLUGIN_NAME" >/dev/null ||
      die "could not remove the old $PLUGIN_NAME plugin"
  fi
  log "installing the $PLUGIN_NAME plugin"
  if ! out=$("${env[@]}" "$ES_HOME/bin/elasticsearch-plugin" install --batch --silent "file://$PLUGIN_ZIP" 2>&1); then
    printf '%s\n' "$out" >&2
    die "could not install the $PLUGIN_NAME plugin"
  fi
  cp "$PLUGIN_BUILD/source.sha256" "$PLUGIN_BUILD/installed.sha256"
}

write_config() {
  mkdir -p "$CONF/jvm.options.d" "$DIR/data" "$DIR/logs" "$DIR/tmp" "$DIR/run"
  # Config lives outside the (read-only, version-stamped) dist: Elasticsearch writes its
  # keystore there, and a version bump must not lose data or settings.
  cp -r "$ES_HOME/config/." "$CONF/"
  cat >"$CONF/elasticsearch.yml" <<EOF
cluster.name: kura-dev
node.name: kura-dev
discovery.type: single-node
network.host: 127.0.0.1
http.port: $KURA_ES_PORT
# Off the default 9300 too, so another local Elasticsearch never clashes.
transport.port: $((KURA_ES_PORT + 100))
path.data: $DIR/data
path.logs: $DIR/logs
xpack.security.enabled: false
# A fullish dev disk must not flip indices to read-only.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
# Nothing here may reach the internet. This build has no ML or geoip modules (it rejects
# ingest.geoip.downloader.enabled as unknown); ML is switched off in case that ever changes.
xpack.ml.enabled: false
EOF
  printf '%s\n' -Xms512m -Xmx512m >"$CONF/jvm.options.d/heap.options"
  if is_root; then
    id -u "$ES_USER" >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    chown -R "$ES_USER:" "$CONF" "$DIR/data" "$DIR/logs" "$DIR/tmp" "$DIR/run"
    chmod o+x "$KURA_DATA" "$DIR"
    as_es test -r "$CONF/elasticsearch.yml" ||
      die "user $ES_USER cannot reach $DIR (a parent directory is not world-searchable); set KURA_DATA elsewhere"
  fi
}

svc_up() {
  if ! pid_alive "$PIDFILE"; then
    # Answering without our pid file: a node this script did not start; leave it alone.
    svc_status && { log "a node this script did not start answers on $URL; leaving it as it is"; return 0; }
  fi
  install_es
  mkdir -p "$PLUGIN_BUILD"
  build_plugin
  if pid_alive "$PIDFILE" && ! plugin_current; then
    # Plugins load only at start: a node running the previous build must restart.
    log "the $PLUGIN_NAME plugin changed; restarting Elasticsearch"
    svc_down
  fi
  if ! pid_alive "$PIDFILE"; then
    local jdk; jdk=$(find_jdk)
    write_config
    install_plugin "$jdk"
    log "starting Elasticsearch $ES_VERSION with $jdk"
    # cwd matters: the JVM writes gc.log relative to it. -d returns once the node has
    # started (or failed, with the reason on stderr); stdout is only a copy of the log.
    (cd "$DIR/logs" && as_es env ES_JAVA_HOME="$jdk" ES_PATH_CONF="$CONF" ES_TMPDIR="$DIR/tmp" \
      "$ES_HOME/bin/elasticsearch" -d -p "$PIDFILE" >/dev/null) ||
      die "Elasticsearch failed to start; see $DIR/logs/kura-dev.log"
  fi
  wait_until 120 elasticsearch svc_status
  log "ready on $URL"
}

svc_down() {
  stop_pid "$PIDFILE" 60
}

run_verb "$@"
