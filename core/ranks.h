/* ranks.h - the MPI ranks of a job (DESIGN.md, scaling out).
 *
 * `mpirun -np N evojax train cfg.yaml`: every rank runs the same
 * experiment from the same seed - the same algorithm state, the same
 * populations - and evaluates its slice of each population; ranks_eval
 * wraps the rank's evaluator (one device or a split over its devices,
 * core/split.h) so that every rank gets the fitness, behaviour
 * descriptors, normalizer statistics rows and environment steps of all
 * slices: per evaluation one MPI_Allgather of the packet sizes and one
 * MPI_Allgatherv of the packets, in which a rank also reports a failure
 * (its exit code and message) and an interrupt (so all ranks stop at the
 * same iteration).  No parameters cross the network.  The slices are
 * contiguous member ranges of whole granules, at least one per rank,
 * weighted by the ranks' measured speeds (their evaluation times travel
 * in the packets, so every rank computes the same plan); the fold of the
 * normalizer statistics in member order makes the results identical for
 * any number of ranks (core/split.h).  Rank 0 alone writes the run
 * directory (cmd/main.c).
 *
 * MPI is used when the build has it (EJ_MPI, `make MPI=1` or Open MPI
 * found by pkg-config) and an MPI launcher started the process (mpirun,
 * mpiexec or srun set OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE);
 * otherwise the process is one rank and MPI is never initialized.  The
 * communicators return errors (MPI_ERRORS_RETURN): a failed collective
 * becomes an ej_err naming the call and the rank.
 */
#ifndef EJ_RANKS_H
#define EJ_RANKS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/eval.h"

typedef struct ranks ranks;

/* Join the job (MPI_Init when launched by MPI); NULL with err on
 * failure. */
ranks *ranks_open(ej_err *err);
int ranks_rank(const ranks *r);
int ranks_size(const ranks *r);
/* The build has MPI; name gets the library ("Open MPI v4.1.4") or "". */
bool ranks_built(char *name, size_t size);

/* Every rank passes its status (0, or the exit code of its failure);
 * returns the exit code of the lowest failing rank (0: none) and that
 * rank in *who.  A failed collective counts as this rank's failure
 * (EJ_EXIT_RUN, in err). */
int ranks_agree(ranks *r, int code, int *who, ej_err *err);

/* A population of 'members' (granule: members that stay together) over
 * the ranks: EJ_EXIT_USAGE when a rank would get none. */
int ranks_check_members(const ranks *r, size_t members, size_t granule,
			ej_err *err);

/* The evaluator over all ranks around this rank's 'local' one (owned from
 * now on, freed with the result or on failure).  One rank: local itself. */
evaluator *ranks_eval(ranks *r, evaluator *local, ej_err *err);

/* The interrupt flag of the job: raised on every rank at the same
 * iteration once any rank saw its own flag 'raw' (a signal handler's)
 * raised, as reported in the evaluations' packets.  One rank: raw. */
void ranks_watch_interrupt(ranks *r, const volatile sig_atomic_t *raw);
const volatile sig_atomic_t *ranks_interrupted(const ranks *r);

/* The last error came from an MPI call on this rank (not a result every
 * rank shares): cmd/ prints it on every rank. */
bool ranks_local_error(const ranks *r);

/* The end of the job.  ranks_wait_all: 0 when every rank has called it
 * within timeout_s seconds, -1 otherwise (a rank failed alone, or died).
 * Then ranks_close leaves the job (MPI_Finalize) and frees r;
 * ranks_abort ends every process of the job with 'code' (MPI_Abort; for
 * cmd/ only).  One rank: no waiting, nothing to finalize. */
int ranks_wait_all(ranks *r, double timeout_s);
void ranks_close(ranks *r);
void ranks_abort(ranks *r, int code);

#endif
