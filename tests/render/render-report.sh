#!/bin/sh
# Renders a mailtrail workbook to PNG pages so that every sheet and chart can be looked at:
# XLSX -> PDF with LibreOffice headless -> PNG with pdftoppm.
#   tests/render/render-report.sh [REPORT.xlsx [OUTDIR]]
# Without arguments it builds the samples report first. Needs: libreoffice-calc poppler-utils
# (installed on demand with apt-get).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
xlsx=${1:-}
out=${2:-$root/build/render}
if [ -z "$xlsx" ]; then
    "$root/bootstrap" demo >/dev/null
    xlsx=$root/mailtrail-report/mailtrail-report.xlsx
fi
for p in libreoffice-calc poppler-utils; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
        $sudo apt-get install -y -qq --no-install-recommends libreoffice-calc poppler-utils
        break
    fi
done
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.pdf
# a private profile: no first-run dialogs, no interference with a running LibreOffice
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
libreoffice -env:UserInstallation=file://$profile --headless --convert-to pdf \
    --outdir "$out" "$xlsx" >/dev/null 2>&1
pdf=$out/$(basename "$xlsx" .xlsx).pdf
pdftoppm -r 60 -png "$pdf" "$out/page"
echo "$(ls "$out"/page*.png | wc -l) pages in $out (from $pdf)"
