/* Umbrella header of the fcs FastCGI 1.0 codec. */
#ifndef FCS_FCS_H
#define FCS_FCS_H

#include "fcs/assembler.h"
#include "fcs/decoder.h"
#include "fcs/encoder.h"
#include "fcs/error.h"
#include "fcs/nv.h"
#include "fcs/proto.h"

#endif
