#!/usr/bin/env bash
# Renders Mercator's ER documentation to PNG so a person can look at it:
#   render-erd.sh PAGE.html DIAGRAM.mmd [OUT_DIR]
# The HTML page is screenshot with Debian's headless Chromium; the Mermaid file is rendered
# by mermaid-cli (npm @mermaid-js/mermaid-cli) driving the same Chromium. Not run in CI.
#
# Environment: WINDOW_SIZE (default 1600,4200) for the page screenshot; MERMAID_WIDTH
# (default 2400) for the Mermaid image.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 PAGE.html DIAGRAM.mmd [OUT_DIR]" >&2
  exit 2
fi
html=$(realpath "$1")
mermaid=$(realpath "$2")
out=$(realpath -m "${3:-.}")
mkdir -p "$out"
chromium_bin=/usr/bin/chromium

if [[ ! -x $chromium_bin ]]; then
  echo "installing chromium with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars)

html_png="$out/$(basename "${html%.*}").png"
"$chromium_bin" "${flags[@]}" --window-size="${WINDOW_SIZE:-1600,4200}" \
  --screenshot="$html_png" "file://$html" 2>/dev/null
echo "page:    $html_png"

# mermaid-cli drives Chromium through puppeteer; point it at Debian's build so nothing
# is downloaded besides the npm package.
config=$(mktemp --suffix=.json)
trap 'rm -f "$config"' EXIT
cat >"$config" <<JSON
{
  "executablePath": "$chromium_bin",
  "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"]
}
JSON
mermaid_png="$out/$(basename "${mermaid%.*}").mermaid.png"
PUPPETEER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=true \
  npx --yes -p @mermaid-js/mermaid-cli mmdc -p "$config" -i "$mermaid" -o "$mermaid_png" \
  -w "${MERMAID_WIDTH:-2400}" -b white -q
echo "mermaid: $mermaid_png"
