#!/bin/sh
# An sbatch script: a headless pooltop pool over the whole allocation.
#
#	sbatch -N4 --ntasks-per-node=8 conf/examples/slurm-job.sh items.txt
#
# Each worker is one job step (srun --exclusive -N1 -n1 -c1 -w NODE
# pooltop worker), started once and fed task after task, so 100,000 short
# tasks cost 100,000 messages, not 100,000 step launches.  Every node needs
# the same pooltop (--remote-pooltop PATH names it, e.g. on a shared file
# system).  The joblog records the node of each task in its Host column;
# run the script again with --resume to do only what is left.
#
# A node that fails mid-run: its tasks run again on the others.  Without
# --no-kill Slurm ends the whole job once it finds the node down; with it,
# the pool goes on with the nodes left.
#
# Watching it: the pool's control socket and segment live on the node
# that runs this script (the batch host).  From a shell there
# (`srun --jobid=$SLURM_JOB_ID --overlap --pty bash`, or ssh to the node
# if the site allows it): `pooltop ls`, then `pooltop attach ID` for the
# dashboard or `pooltop ctl ID status`.  From the login node it cannot be
# reached directly: the socket is a Unix socket on the batch host.
#SBATCH --job-name=pooltop
#SBATCH --output=pooltop-%j.out
#SBATCH --no-kill

items=${1:?usage: sbatch slurm-job.sh ITEMS-FILE}

exec pooltop --headless --slurm --joblog "pooltop-$SLURM_JOB_ID.joblog" \
    --progress-interval 60 -a "$items" ./work.sh {}
