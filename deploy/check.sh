#!/usr/bin/env bash
# deploy/check.sh: bring the production recipe (deploy/README.md) up on this machine and
# smoke-test it through nginx over HTTPS. Run as root on Debian/Ubuntu; installs nginx,
# postgresql and redis-server with apt-get when missing. Everything else lives in a temporary
# directory, on free loopback ports, and is stopped and removed at exit (logs are kept in
# var/deploy-check/). Prints one line per step, OK or FAIL, and exits non-zero on a failure.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY=$REPO/deploy
DOMAIN=openpo.test
APP_USER=openpo-check
T_START=$(date +%s.%N)
STEP=""
PIDS=()
CREATED_USER=0
CREATED_POLICY=0

[ "$(id -u)" -eq 0 ] || { echo "deploy/check.sh must run as root (it installs packages)"; exit 2; }

TMP=$(mktemp -d /tmp/openpo-deploy-check.XXXXXX)
chmod 0755 "$TMP"
LOGS=$TMP/logs
mkdir -p "$LOGS"
STEP_LOG=$LOGS/steps.log
exec 3>&1 4>&2

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
begin() { STEP=$1; T0=$(now); echo "== $STEP" >>"$STEP_LOG"; exec >>"$STEP_LOG" 2>&1; }
end() { exec 1>&3 2>&4; printf 'OK    %-62s %6s s%s\n' "$STEP" "$(secs "$T0")" "${1:+  ($1)}"; STEP=""; }
die() {
    exec 1>&3 2>&4
    printf 'FAIL  %-62s\n      %s\n' "${STEP:-setup}" "$1"
    tail -n 25 "$STEP_LOG" | sed 's/^/      | /'
    exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR

cleanup() {
    local status=$?
    trap - ERR
    exec 1>&3 2>&4
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    [ -f "$TMP/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ "$CREATED_POLICY" = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ "$CREATED_USER" = 1 ] && userdel "$APP_USER" 2>/dev/null || true
    cp "$TMP/pg/postgresql.log" "$LOGS/" 2>/dev/null || true
    mkdir -p "$REPO/var/deploy-check"
    rm -rf "$REPO/var/deploy-check/last" && cp -r "$LOGS" "$REPO/var/deploy-check/last" 2>/dev/null || true
    rm -rf "$TMP"
    if [ "$status" -eq 0 ]; then
        printf 'ALL OK in %s s (logs: var/deploy-check/last/)\n' "$(secs "$T_START")"
    else
        printf 'FAILED after %s s (logs: var/deploy-check/last/)\n' "$(secs "$T_START")"
    fi
    exit "$status"
}
trap cleanup EXIT

free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
unit_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
    local limit=$1 what=$2; shift 2
    local until=$(( $(date +%s) + limit ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$until" ] || die "$what did not happen within $limit s"
        sleep 0.3
    done
}

# --- 1. System packages -------------------------------------------------------------------
begin "packages: nginx, postgresql, redis-server, openssl, python3-venv"
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v openssl >/dev/null || missing+=(openssl)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    # Packages must not start their own services on the default ports here.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
        CREATED_POLICY=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
end "${missing[*]:-all present}; $("$NGINX" -v 2>&1 | sed 's/.*: //'), PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}'), Redis $(redis-server -v | sed 's/.*v=\([^ ]*\).*/\1/')"

read -r HTTP_PORT HTTPS_PORT WEB_PORT PG_PORT REDIS_PORT SMTP_PORT <<<"$(free_ports 6)"
DATA=$TMP/data
VENV=$TMP/venv
ENV_FILE=$TMP/etc/openpo.env
BACKUPS=$TMP/backups

# --- 2. The app user and its data directory (README step 2) -------------------------------
begin "user $APP_USER, data dir 2750 $APP_USER:www-data"
if ! getent passwd "$APP_USER" >/dev/null; then
    useradd --system --user-group --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin "$APP_USER"
    CREATED_USER=1
fi
install -d -o "$APP_USER" -g www-data -m 2750 "$DATA"
install -d -o "$APP_USER" -g "$APP_USER" -m 0700 "$BACKUPS"
end

# --- 3. Install the package from this checkout into a fresh venv (README step 1) ----------
begin "venv: pip install of this checkout (non-editable)"
mkdir -p "$TMP/src"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.egg-info' -cf - pyproject.toml README.md src |
    tar -C "$TMP/src" -xf -
/usr/bin/python3 -m venv "$VENV"  # the system Python, as on a server (not one on PATH)
"$VENV/bin/pip" install -q "$TMP/src"
end "$("$VENV/bin/python" -V)"

# --- 4. PostgreSQL (README step 3) ----------------------------------------------------------
begin "PostgreSQL cluster on 127.0.0.1:$PG_PORT, role and database openpo"
install -d -o postgres -g postgres -m 0700 "$TMP/pg" "$TMP/pg/run"
runuser -u postgres -- "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres -E UTF8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/postgresql.log" -w start \
    -o "-p $PG_PORT -k $TMP/pg/run -c listen_addresses=127.0.0.1"
PG_PASSWORD=$(openssl rand -hex 24)
runuser -u postgres -- "$PG_BIN/psql" -h "$TMP/pg/run" -p "$PG_PORT" -qX -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE openpo LOGIN PASSWORD '$PG_PASSWORD'" -c "CREATE DATABASE openpo OWNER openpo"
end

# --- 5. Redis (README step 4) ------------------------------------------------------------------
begin "Redis on 127.0.0.1:$REDIS_PORT with a password"
REDIS_PASSWORD=$(openssl rand -hex 24)
mkdir -p "$TMP/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$TMP/redis" --requirepass "$REDIS_PASSWORD" --maxmemory 64mb \
    --maxmemory-policy allkeys-lru >"$LOGS/redis.log" 2>&1 &
PIDS+=($!)
wait_for 10 "redis answering" redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning ping
end

# --- 6. A real SMTP server ------------------------------------------------------------------
begin "SMTP server (aiosmtpd) on 127.0.0.1:$SMTP_PORT"
"$REPO/.venv/bin/python" "$DEPLOY/check/mailsink.py" --port "$SMTP_PORT" --to "$TMP/mail" \
    >"$LOGS/mail.log" 2>&1 &
PIDS+=($!)
wait_for 15 "the SMTP server listening" grep -q "mail sink on" "$LOGS/mail.log"
end

# --- 7. /etc/openpo/openpo.env from the shipped example (README step 5) ---------------------
begin "env file from deploy/openpo.env.example"
mkdir -p "$TMP/etc"
cp "$DEPLOY/openpo.env.example" "$ENV_FILE"
set_env() { # the example must name every variable this check sets
    grep -Eq "^#?$1=" "$ENV_FILE" || die "$1 is missing from deploy/openpo.env.example"
    python3 - "$ENV_FILE" "$1" "$2" <<'PY'
import re, sys
path, name, value = sys.argv[1:]
text = open(path).read()
text = re.sub(rf"(?m)^#?{name}=.*$", lambda m: f"{name}='{value}'", text, count=1)
open(path, "w").write(text)
PY
}
set_env OPENPO_SECRET_KEY "$(openssl rand -hex 32)"
set_env OPENPO_DATA_DIR "$DATA"
set_env OPENPO_ALLOWED_HOSTS "$DOMAIN"
set_env OPENPO_SITE_URL "https://$DOMAIN:$HTTPS_PORT"
set_env OPENPO_DATABASE_URL "postgres://openpo:$PG_PASSWORD@127.0.0.1:$PG_PORT/openpo"
set_env OPENPO_CACHE_URL "redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0"
set_env OPENPO_EMAIL_URL "smtp://127.0.0.1:$SMTP_PORT"
set_env OPENPO_FROM_EMAIL "OpenPO <noreply@$DOMAIN>"
set_env OPENPO_WORKERS 2
chown root:"$APP_USER" "$ENV_FILE" && chmod 0640 "$ENV_FILE"
# As the example has it: production mode behind the proxy.
for kept in OPENPO_DEBUG=0 OPENPO_HTTPS=1 OPENPO_BEHIND_HTTPS_PROXY=1 OPENPO_TRUSTED_PROXIES=127.0.0.1; do
    grep -qx "$kept" "$ENV_FILE" || die "deploy/openpo.env.example does not set $kept"
done
end "kept from the example: DEBUG=0 HTTPS=1 BEHIND_HTTPS_PROXY=1 TRUSTED_PROXIES=127.0.0.1"

# --- 8. The systemd units, rendered for this installation ---------------------------------
begin "systemd units: rendered and verified (systemd-analyze)"
mkdir -p "$TMP/units"
for unit in "$DEPLOY"/systemd/*; do
    sed -e "s#/opt/openpo/venv#$VENV#g" -e "s#/var/lib/openpo#$DATA#g" \
        -e "s#/var/backups/openpo#$BACKUPS#g" -e "s#/etc/openpo/openpo.env#$ENV_FILE#g" \
        -e "s#^User=openpo#User=$APP_USER#" -e "s#^Group=openpo#Group=$APP_USER#" \
        -e "s#--port 8000#--port $WEB_PORT#" "$unit" >"$TMP/units/$(basename "$unit")"
done
exposure=""
if command -v systemd-analyze >/dev/null; then
    (cd "$TMP/units" && systemd-analyze verify ./*.service ./*.timer)
    exposure=$(cd "$TMP/units" && systemd-analyze security --offline=true openpo-web.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p')
    end "exposure of openpo-web.service: ${exposure:-?}"
else
    end "SKIP verify: systemd-analyze not installed"
fi

# Start a unit's ExecStart the way systemd would: its user, umask, working directory and
# EnvironmentFile, nothing else from this shell's environment.
start_unit() { # start_unit UNIT LOGNAME [EXTRA_ENV...]
    local unit=$TMP/units/$1 name=$2; shift 2
    local exec_start umask workdir
    exec_start=$(unit_value "$unit" ExecStart)
    umask=$(unit_value "$unit" UMask)
    workdir=$(unit_value "$unit" WorkingDirectory)
    (
        cd "$workdir"
        umask "$umask"
        # shellcheck disable=SC2086
        exec env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME="$DATA" "$@" \
            bash -c 'set -a; . "$0"; set +a; exec "$@"' "$ENV_FILE" \
            setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups $exec_start
    ) >"$LOGS/$name.log" 2>&1 &
    LAST_PID=$!
}

# --- 9. openpo serve, as openpo-web.service runs it (README step 6) -----------------------
begin "openpo-web: serve (migrate, collectstatic, gunicorn), READY=1 to systemd"
NOTIFY=$TMP/notify/socket
mkdir -p "$TMP/notify" && chmod 0755 "$TMP/notify"
python3 - "$NOTIFY" >"$LOGS/notify.log" 2>&1 <<'PY' &
import os, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
while True:
    print(sock.recv(4096).decode(), flush=True)
PY
PIDS+=($!)
wait_for 10 "the notify socket" test -S "$NOTIFY"
start_unit openpo-web.service serve NOTIFY_SOCKET="$NOTIFY"
SERVE_PID=$LAST_PID
PIDS+=("$SERVE_PID")
wait_for 300 "READY=1 from gunicorn (see serve.log)" grep -q "READY=1" "$LOGS/notify.log"
kill -0 "$SERVE_PID"
end "$(grep -o 'OpenPO serving on.*' "$LOGS/serve.log" | head -n 1)"

# --- 10. nginx with the shipped site (README step 7) ---------------------------------------
begin "nginx: deploy/nginx/openpo.conf rendered, nginx -t, started"
NGX=$TMP/nginx
mkdir -p "$NGX/sites" "$NGX/tls" "$NGX/tmp" "$TMP/acme/.well-known/acme-challenge"
chown www-data "$NGX/tmp"
chmod -R a+rX "$TMP/acme"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" \
    -keyout "$NGX/tls/privkey.pem" -out "$NGX/tls/fullchain.pem" 2>/dev/null
listen6() { # IPv6 loopback when this machine has it
    if [ -e /proc/net/if_inet6 ] && grep -q '00000000000000000000000000000001' /proc/net/if_inet6; then
        echo "listen [::1]:$1"
    else
        echo "# (no IPv6 here) listen [::]:$1"
    fi
}
sed -e "s#/etc/letsencrypt/live/po.example.id/#$NGX/tls/#g" \
    -e "s#po\.example\.id#$DOMAIN#g" \
    -e "s#/var/lib/openpo#$DATA#g" \
    -e "s#/var/www/html#$TMP/acme#g" \
    -e "s#127\.0\.0\.1:8000#127.0.0.1:$WEB_PORT#g" \
    -e "s#listen 80\b#listen 127.0.0.1:$HTTP_PORT#" \
    -e "s#listen \[::\]:80\b#$(listen6 "$HTTP_PORT")#" \
    -e "s#listen 443\b#listen 127.0.0.1:$HTTPS_PORT#" \
    -e "s#listen \[::\]:443\b#$(listen6 "$HTTPS_PORT")#" \
    "$DEPLOY/nginx/openpo.conf" >"$NGX/sites/openpo.conf"
# Everything that names this server's paths, ports or domain was substituted.
if grep -nE 'example\.id|/var/lib/openpo|letsencrypt|:8000|/var/www/html|listen (80|443)\b|listen \[::\]:' "$NGX/sites/openpo.conf"; then
    die "the rendered site still names the template's paths or ports"
fi
diff -u "$DEPLOY/nginx/openpo.conf" "$NGX/sites/openpo.conf" >"$LOGS/nginx-site.diff" || true
cat >"$NGX/nginx.conf" <<NGINX
# The parts of Debian's /etc/nginx/nginx.conf the site needs, with paths in $NGX.
user www-data;
worker_processes 1;
pid $NGX/nginx.pid;
error_log $LOGS/nginx-error.log notice;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log $LOGS/nginx-access.log;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    include $NGX/sites/openpo.conf;
}
NGINX
"$NGINX" -t -p "$NGX" -c "$NGX/nginx.conf"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_for 10 "nginx listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HTTPS_PORT"
end "https://$DOMAIN:$HTTPS_PORT -> 127.0.0.1:$WEB_PORT"

# --- 11. A shop to sell from ------------------------------------------------------------------
begin "openpo-admin demo (the demo shop, as the app user)"
OPENPO_ENV_FILE=$ENV_FILE OPENPO_VENV=$VENV OPENPO_USER=$APP_USER "$DEPLOY/openpo-admin" demo
end "$(grep -o 'Loaded the demo shop.*' "$STEP_LOG" | tail -n 1 | cut -c1-60)"

# --- 12. openpo worker, as openpo-worker@.service runs it -------------------------------------
begin "openpo-worker@1: worker started"
start_unit openpo-worker@.service worker
WORKER_PID=$LAST_PID
PIDS+=("$WORKER_PID")
wait_for 60 "the worker starting (see worker.log)" grep -q "started" "$LOGS/worker.log"
end

# --- 13. The smoke test through nginx ------------------------------------------------------------
echo "smoke test through nginx (https://$DOMAIN:$HTTPS_PORT):"
exec 1>&3 2>&4
"$VENV/bin/python" "$DEPLOY/check/smoke.py" \
    --domain "$DOMAIN" --https-port "$HTTPS_PORT" --http-port "$HTTP_PORT" \
    --ca "$NGX/tls/fullchain.pem" --serve-log "$LOGS/serve.log" --data-dir "$DATA" \
    --mail-dir "$TMP/mail" --acme-dir "$TMP/acme" \
    || { STEP="smoke test"; die "see the lines above"; }

begin "rate-limit counters are in Redis (OPENPO_CACHE_URL)"
keys=$(redis-cli -p "$REDIS_PORT" -a "$REDIS_PASSWORD" --no-auth-warning --scan --pattern '*ratelimit*' | wc -l)
[ "$keys" -gt 0 ] || die "no rate-limit key in Redis"
end "$keys keys"

begin "nginx (www-data) cannot read a payment proof on disk"
proof=$(find "$DATA/private" -type f | head -n 1)
[ -n "$proof" ] || die "the demo wrote no payment proof"
if setpriv --reuid=www-data --regid=www-data --init-groups cat "$proof" >/dev/null 2>&1; then die "www-data can read $proof"; fi
setpriv --reuid=www-data --regid=www-data --init-groups cat "$(find "$DATA/static" -name '*.css' | head -n 1)" >/dev/null
end "$(stat -c '%a %U:%G' "$proof") $(basename "$proof")"

# --- 14. Backup, as openpo-backup.service runs it ------------------------------------------------
if "$VENV/bin/python" -c 'import openpo.ops.management.commands.backup' 2>/dev/null; then
    begin "openpo-backup.service: a backup into the backups dir"
    start_unit openpo-backup.service backup
    wait "$LAST_PID"
    written=$(tail -n 1 "$LOGS/backup.log")
    [ -s "$written" ] || die "the backup's last line is not a file: $written"
    end "$(du -h "$written" | cut -f1) $(basename "$written")"
else
    printf 'SKIP  %-62s\n' "openpo-backup.service (no \`openpo backup\` in this version)"
fi

# --- 15. Graceful stop ----------------------------------------------------------------------------
stop_gracefully() { # stop_gracefully PID LIMIT
    local t=$(now) status=0
    kill -TERM "$1"
    wait "$1" || status=$?
    [ "$status" -eq 0 ] || die "exit status $status after SIGTERM"
    MSG="exit 0 in $(secs "$t") s"
}
begin "openpo worker stops on SIGTERM"
stop_gracefully "$WORKER_PID"
end "$MSG"
begin "openpo serve stops on SIGTERM"
stop_gracefully "$SERVE_PID"
end "$MSG"
