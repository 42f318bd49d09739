#!/usr/bin/env bash
# Installs the Debian packages archiv needs (OCR, poppler for benchmarks and fixtures, fonts).
# Idempotent and quick when everything is present; `make demo` and `make test` call it.
set -euo pipefail
packages=(tesseract-ocr tesseract-ocr-deu poppler-utils fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
