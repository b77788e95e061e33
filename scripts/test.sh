#!/usr/bin/env bash
# Runs the whole test suite: unit and component tests of every module, then the integration tests against the
# packaged jar, including the real Linux L2TP client (../shared/interop) when running as root.
# Extra arguments go to Maven (e.g. -Dl2sec.interop.required=true, as CI does, to fail instead of skip).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
if [ "$(id -u)" = 0 ]; then
  # packages the tests use: iproute2 (network namespaces), curl (metrics scrape), tshark (dissects captures),
  # FreeRADIUS and radclient (RADIUS tests), Samba AD DC and ldap-utils (LDAP/AD tests), prometheus (promtool and
  # a real Prometheus scraping the concentrator), charon-cmd with libcharon-extra-plugins (kernel-libipsec) and
  # iputils-ping (RealHostClientIkev2IT: strongSwan's IKEv2 client on the host); the VM harness installs its own
  need=""
  for p in iproute2 curl tshark freeradius freeradius-utils samba samba-ad-dc samba-ad-provision winbind ldap-utils openssl prometheus charon-cmd libcharon-extra-plugins iputils-ping; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
  # Node.js and npm check the Grafana dashboard against Grafana's schema (ops/grafana/schema-check)
  command -v node >/dev/null && command -v npm >/dev/null || need="$need nodejs npm"
  if [ -n "$need" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; fi
  if [ -x ../shared/interop/setup.sh ]; then bash ../shared/interop/setup.sh; fi
fi
./mvnw -B verify "$@"
