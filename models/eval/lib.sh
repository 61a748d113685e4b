# Shared by the dev-set measuring scripts (sourced, not run).

# dev_args NAME MANIFEST FILE: exits 2 with a one-line message when MANIFEST is named like a
# test set (measure and tune on dev sets only) or when MANIFEST or FILE does not exist.
dev_args() {
	case "$(basename "$2")" in
	*[Tt][Ee][Ss][Tt]*) echo "$1: $2 looks like a test set; use a dev set" >&2; exit 2 ;;
	esac
	local f
	for f in "$2" "$3"; do
		[ -f "$f" ] || { echo "$1: $f: no such file" >&2; exit 2; }
	done
}
