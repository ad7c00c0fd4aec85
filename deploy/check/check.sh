#!/bin/sh
# Builds deploy/Dockerfile and runs deploy/docker-compose.yml on a machine that cannot pull
# images: the base image is made with debootstrap from Debian's archive, PostgreSQL, Redis and
# Caddy are stand-ins from Debian's packages (*.Dockerfile here), Telegram is tests/fake_bot_api.py.
# Checks what README.md's "In containers" promises; exits non-zero at the first thing that fails.
#
#   sudo deploy/check/check.sh          # needs a running Docker daemon, debootstrap, curl,
#                                       # docker compose or docker-compose; ports 80 and 443 free
#
# DEBIAN_MIRROR: the archive for debootstrap (default: this machine's apt source).
# KEEP=1: leave the containers running at the end. BASE_IMAGE: another name for the base image.
set -eu

CHECK_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$CHECK_DIR/../.." && pwd)
CHECK_WORK=$(mktemp -d /tmp/profnavigator-check.XXXXXX)
BASE_IMAGE=${BASE_IMAGE:-local/python:3.11-bookworm}
export CHECK_DIR CHECK_WORK
if docker compose version >/dev/null 2>&1; then COMPOSE="docker compose"; else COMPOSE=docker-compose; fi
compose() {
    $COMPOSE -p profnavigator-check --env-file "$CHECK_WORK/.env" \
        -f "$ROOT/deploy/docker-compose.yml" -f "$CHECK_DIR/compose.check.yml" "$@"
}
build() {  # build TAG DOCKERFILE CONTEXT
    DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" \
        -t "$1" -f "$2" "$3" >/dev/null
}
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# 1. The base image: Debian 12 with its Python 3.11, and this machine's extra certificate
#    authorities (a TLS-inspecting proxy's, if there is one), so that pip inside trusts them.
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)}
    rootfs="$CHECK_WORK/rootfs"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" "$mirror" >"$CHECK_WORK/debootstrap.log"
    if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
    fi
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs/var/lib/apt/lists/"*
    tar -C "$rootfs" -c . | docker import --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
fi
ok "base image $BASE_IMAGE"

# 2. The bot's image, as `docker compose up --build` builds it (compose tags it the same).
build profnavigator:latest "$ROOT/deploy/Dockerfile" "$ROOT"
build local/postgres:15-bookworm "$CHECK_DIR/postgres.Dockerfile" "$CHECK_DIR"
build local/redis:7-bookworm "$CHECK_DIR/redis.Dockerfile" "$CHECK_DIR"
build local/caddy:2 "$CHECK_DIR/caddy.Dockerfile" "$CHECK_DIR"
ok "images built"

# 3. deploy/.env as README.md says to fill it; Caddy with a local certificate authority.
sed -e 's/^BOT_TOKEN=.*/BOT_TOKEN=123456:FAKE-bot-api-token/' \
    -e 's/^ADMIN_IDS=.*/ADMIN_IDS=1001/' \
    -e 's/^WEBHOOK_SECRET=.*/WEBHOOK_SECRET=check-secret/' \
    -e 's/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=check-password/' \
    -e 's/^BACKUP_KEEP=.*/BACKUP_KEEP=2/' \
    "$ROOT/deploy/compose.example.env" >"$CHECK_WORK/.env"
domain=$(sed -n 's/^BOT_DOMAIN=//p' "$CHECK_WORK/.env")
{ printf '{\n\tlocal_certs\n\tskip_install_trust\n}\n\n'; cat "$ROOT/deploy/docker/Caddyfile"; } \
    >"$CHECK_WORK/Caddyfile"
mkdir "$CHECK_WORK/backups" && chown 10001 "$CHECK_WORK/backups"
finish() {
    status=$?
    if [ "${KEEP:-}" != 1 ]; then compose down -v >/dev/null 2>&1 || true; rm -rf "$CHECK_WORK"; fi
    exit $status
}
trap finish EXIT

# 4. Up: the migrations once, then both bots healthy, Caddy in front.
compose up -d fake-telegram >/dev/null 2>&1
compose up -d caddy >/dev/null 2>&1
[ "$(docker inspect -f '{{.State.ExitCode}}' "$(compose ps -a -q migrate)")" = 0 ] || fail "migrate"
ok "migrate exited 0"
for bot in bot-1 bot-2; do
    i=0
    until [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose ps -a -q $bot)")" = healthy ]; do
        i=$((i + 1)); [ $i -le 60 ] || fail "$bot not healthy in 120 s"; sleep 2
    done
done
ok "bot-1 and bot-2 healthy"

https() {  # https PATH [curl arguments...]: the status through Caddy
    path=$1; shift
    curl -ks -o /dev/null -w '%{http_code}' --resolve "$domain:443:127.0.0.1" "$@" "https://$domain$path"
}
update() {  # update UPDATE_ID CHAT_ID: a /start message, as Telegram would post it
    printf '{"update_id":%s,"message":{"message_id":1,"date":1790000000,' "$1"
    printf '"chat":{"id":%s,"type":"private","first_name":"C"},' "$2"
    printf '"from":{"id":%s,"is_bot":false,"first_name":"C","language_code":"ru"},' "$2"
    printf '"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}'
}
post() {  # post UPDATE_ID CHAT_ID SECRET
    https /telegram/webhook -H 'Content-Type: application/json' \
        -H "X-Telegram-Bot-Api-Secret-Token: $3" -d "$(update "$1" "$2")"
}
answered() { compose logs fake-telegram 2>/dev/null | grep -c "\"sendMessage\", \"chat\": $1," || true; }

# 5. Through Caddy: the webhook answers, nothing else is published.
for path in /healthz /metrics /; do
    [ "$(https $path)" = 404 ] || fail "$path is published"
done
ok "/healthz, /metrics and / are 404 from outside"
[ "$(post 1 500 wrong)" = 401 ] || fail "a wrong secret was not refused"
[ "$(post 2 501 check-secret)" = 200 ] || fail "the webhook did not take an update"
sleep 2
[ "$(answered 500)" = 0 ] || fail "an update with a wrong secret was answered"
[ "$(answered 501)" = 1 ] || fail "/start got no answer from the bot"
ok "the webhook through Caddy: wrong secret 401, /start answered once"

# 6. One bot stopped: Caddy sends every update to the other.
compose stop bot-1 >/dev/null 2>&1
sleep 7
for n in 1 2 3 4; do
    [ "$(post "1$n" "60$n" check-secret)" = 200 ] || fail "update $n lost with bot-1 stopped"
done
sleep 2
for n in 1 2 3 4; do [ "$(answered "60$n")" = 1 ] || fail "update $n not answered by bot-2"; done
ok "bot-1 stopped: four updates answered by bot-2"

# 7. SIGTERM: a bot stops at once and cleanly.
[ "$(docker inspect -f '{{.State.ExitCode}}' "$(compose ps -a -q bot-1)")" = 0 ] || fail "bot-1 exit"
started=$(date +%s)
compose stop bot-2 >/dev/null 2>&1
[ $(($(date +%s) - started)) -lt 15 ] || fail "bot-2 took the whole grace period to stop"
[ "$(docker inspect -f '{{.State.ExitCode}}' "$(compose ps -a -q bot-2)")" = 0 ] || fail "bot-2 exit"
compose logs bot-2 2>/dev/null | grep -q "bot.runner: stopped" || fail "bot-2 did not log its stop"
ok "bot-1 and bot-2 stopped on SIGTERM with exit code 0"

# 8. Backups: BACKUP_KEEP of them kept; a restore into the stopped deployment.
for n in 1 2 3; do compose run --rm backup >/dev/null 2>&1 || fail "backup $n"; sleep 1; done
[ "$(find "$CHECK_WORK/backups" -name '*.dump' | wc -l)" = 2 ] || fail "BACKUP_KEEP=2 not kept"
ok "three backups, the newest two kept"
dump=$(basename "$(find "$CHECK_WORK/backups" -name '*.dump' | sort | tail -1)")
compose run --rm backup python -m bot restore "/app/data/backups/$dump" --yes 2>&1 \
    | grep -q "migrations applied" || fail "restore"
compose start bot-1 bot-2 >/dev/null 2>&1
ok "restored $dump"
echo "all checks passed"
