/* Runs the selected cases of a run: --jobs workers each take the next
 * case, every case is followed by the liveness probe (backend.h), and the
 * cases a restart may have disturbed run again, alone. */
#ifndef FSP_SCHEDULE_H
#define FSP_SCHEDULE_H

#include "backend.h"
#include "report.h"

/* Fills run->res, one result per case of run->cases. */
void run_all(fsp_run *run, fsp_backend *be, int jobs);

#endif
