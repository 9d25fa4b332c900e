/*
 * `pooltop report [--json] JOBLOG`: what a finished run's joblog (pooltop's
 * or GNU parallel's) says, through the pool model (pool-model.h): counts,
 * the runtime distribution, the slowest tasks, the failures grouped by
 * exit status or signal, the run's span and its effective parallelism.
 */
#ifndef PT_CLIENT_REPORT_H
#define PT_CLIENT_REPORT_H

/*
 * argv[0] is "report".  Exit 0; 1 when the joblog cannot be read or has a
 * malformed line (said as "FILE:LINE: not a joblog line"); 255 on a usage
 * error.
 */
int	report_main(int argc, char **argv);

#endif
