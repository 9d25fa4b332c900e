#!/usr/bin/env bash
# Workers on other machines: N trivial tasks (`true ITEM`) over two
# loopback sshd hosts, pooltop -S against GNU parallel -S with the same
# hosts and ssh config; and N tasks in a two-node Slurm allocation, pooltop
# --slurm (one long-lived step per worker) against GNU parallel running
# one `srun --exclusive -N1 -n1` per task, the pattern HPC centres
# document.  The hosts and the cluster are the tests' own
# (tests/remote/remote.sh: each in its own mount namespace, started here,
# stopped by pid).  R paired rounds; median wall time (min-max) and the
# median of the per-round ratios.  Needs root.
#   tests/bench/remote.sh [N=500] [R=3] [SLOTS=2]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
POOLTOP_BIN=${POOLTOP_BIN:-$top/_build/plain/src/pooltop}
unset POOLTOP	# default options: none of the caller's
POOLTOP_SRCDIR=$top
export POOLTOP_BIN POOLTOP_SRCDIR
N=${1:-500} R=${2:-3} S=${3:-2}
# The tests' helpers (temp dir $T, wait_for, the engines).
. "$top/tests/lib.sh"
. "$top/tests/remote/remote.sh"
. "$top/tests/bench/paired.sh"
command -v parallel >/dev/null || { echo "GNU parallel is not installed"; exit 1; }
ssh_hosts_start 2 >/dev/null || { echo "sshd hosts did not start"; exit 1; }
slurm_start 2 >/dev/null || { echo "the Slurm cluster did not start"; exit 1; }
mkdir -p "$T/bin" "$T/w"
cp "$POOLTOP_BIN" "$T/bin/pooltop"
chmod 755 "$T" "$T/bin" "$T/bin/pooltop"
chmod 777 "$T/w"
seq 1 "$N" >"$T/w/items"
chmod 644 "$T/w/items"
pr_init "$T/t"

as_ru() {
	(cd / && setpriv --reuid "$RUID" --regid "$(id -g "$RU")" \
	    --clear-groups env -u XDG_RUNTIME_DIR SLURM_CONF="$SLURM_CONF" \
	    HOME=/tmp "$@")
}
SSH="ssh -F $SSH_CONFIG"
for _ in $(seq 1 "$R"); do
	pr_time pt_ssh /dev/null "$POOLTOP_BIN" --headless -q --ssh "$SSH" \
	    --remote-pooltop "$T/bin/pooltop" -S "$S/h1,$S/h2" \
	    -a "$T/w/items" true
	pr_time gp_ssh /dev/null parallel --will-cite --ssh "$SSH" \
	    -S "$S/h1,$S/h2" true :::: "$T/w/items"
	pr_time pt_slurm /dev/null as_ru salloc -N2 --ntasks-per-node="$S" -Q "$T/bin/pooltop" \
	    --headless -q --slurm -j "$S" --remote-pooltop "$T/bin/pooltop" \
	    -a "$T/w/items" true
	pr_time gp_slurm /dev/null as_ru salloc -N2 --ntasks-per-node="$S" -Q parallel --will-cite \
	    -j $((2 * S)) srun --exclusive -N1 -n1 -Q true :::: "$T/w/items"
done

printf '%d tasks of `true`, %d workers on each of 2 hosts or nodes,' "$N" "$S"
printf ' %d paired rounds, %s CPUs; median (min-max over the rounds)\n' \
    "$R" "$(nproc)"
row() {
	printf '%-44s %8.2f s (%s)\n' "$1" "$(pr_med "$2")" "$(pr_range "$2")"
}
row "pooltop -S (ssh, one session per worker)" pt_ssh
row "GNU parallel -S (ssh per task)" gp_ssh
read -r m sp <<<"$(pr_ratio gp_ssh pt_ssh)"
printf '%-44s %8sx (%s)\n' "  GNU parallel / pooltop" "$m" "$sp"
row "pooltop --slurm (one step per worker)" pt_slurm
row "GNU parallel + srun per task" gp_slurm
read -r m sp <<<"$(pr_ratio gp_slurm pt_slurm)"
printf '%-44s %8sx (%s)\n' "  GNU parallel / pooltop" "$m" "$sp"
