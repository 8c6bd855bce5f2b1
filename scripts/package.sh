#!/usr/bin/env bash
# Builds PhotoVet.tar.xz, the Linux package: what `fyne package` makes (the
# program, its icon and .desktop entry, and a Makefile that installs them)
# with the face models and ONNX Runtime added under usr/local/share/photovet/models and
# that Makefile taught to install and remove them. The installed program finds
# them beside itself (vision.BundledModelDir), so a school laptop needs no
# network to recognise faces (DESIGN.md, "Models").
#
# Run by `make package` after scripts/setup.sh, which fetched and verified the
# models.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
go=${GO:-go}
models=${PHOTOVET_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/photovet/models}
package=PhotoVet.tar.xz

# fyne package raises Build in FyneApp.toml on every run: keep the committed one.
work=$(mktemp -d)
cp FyneApp.toml "$work/FyneApp.toml"
trap 'cp "$work/FyneApp.toml" FyneApp.toml; rm -rf "$work"' EXIT
"$go" tool fyne package -os linux -release

mkdir "$work/tree"
tar -xJf "$package" -C "$work/tree"
dest="$work/tree/usr/local/share/photovet/models"
mkdir -p "$dest"
model_names=()
while read -r sum name; do
	[[ -z $sum || $sum == \#* ]] && continue
	cp "$models/$name" "$dest/$name"
	if [[ $(sha256sum "$dest/$name" | cut -d' ' -f1) != "$sum" ]]; then
		echo "package: $models/$name does not match assets/models.sha256; run scripts/setup.sh" >&2
		exit 1
	fi
	chmod 0644 "$dest/$name"
	model_names+=("$name")
done <assets/models.sha256

# Teach fyne's Makefile the models: each install target copies them beside
# the program's share directory, each uninstall target removes them.
makefile="$work/tree/Makefile"
{
	echo
	echo "# Added by PhotoVet's scripts/package.sh: the face models."
	echo "Models := ${model_names[*]}"
	echo
	echo "install: install-models"
	echo "install-models:"
	printf '\tfor m in $(Models); do install -Dm00644 usr/local/share/photovet/models/$$m $(DESTDIR)$(PREFIX)/share/photovet/models/$$m; done\n'
	echo "uninstall: uninstall-models"
	echo "uninstall-models:"
	printf '\t-rm -r $(DESTDIR)$(PREFIX)/share/photovet\n'
	echo "user-install: user-install-models"
	echo "user-install-models:"
	printf '\tfor m in $(Models); do install -Dm00644 usr/local/share/photovet/models/$$m $(DESTDIR)$(HOME)/.local/share/photovet/models/$$m; done\n'
	echo "user-uninstall: user-uninstall-models"
	echo "user-uninstall-models:"
	printf '\t-rm -r $(DESTDIR)$(HOME)/.local/share/photovet\n'
	echo ".PHONY: install-models uninstall-models user-install-models user-uninstall-models"
} >>"$makefile"

tar -cJf "$work/$package" -C "$work/tree" --owner=0 --group=0 Makefile usr
mv "$work/$package" "$package"
echo "package: $package ($(du -h "$package" | cut -f1)), models included"
