#!/usr/bin/env bash
# One command to set everything up on a fresh Debian 12 machine (as root), then
# run the main job on samples/: every output format into out/.
#   bash setup.sh
# System packages: WeasyPrint's Pango and HarfBuzz subsetter, the Noto CJK fonts (found with fontconfig),
# and the reference tools the test suite uses as oracles (Jekyll with jekyll-feed
# and kramdown, Hugo, poppler's pdftotext/pdffonts, qpdf, Java for EPUBCheck).
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  python3 python3-venv python3-dev
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core fontconfig
  poppler-utils qpdf default-jre-headless
  jekyll ruby-jekyll-feed ruby-kramdown ruby-kramdown-parser-gfm hugo
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Java may come from elsewhere (e.g. a JDK already on PATH): then it is not needed from apt.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# The main job: every format that exists, from samples/, into out/.
formats=$(.venv/bin/convert --list-formats | awk '{print $1}' | paste -sd, -)
.venv/bin/convert --to "$formats" -o out/ samples/
echo "setup done: outputs in out/; run the tests with: .venv/bin/python -m pytest"
