/* tridiag_eig.h -- all eigenvalues and eigenvectors of a small symmetric
 * tridiagonal matrix (the Lanczos matrix T_k of curvature.c).
 *
 * In:  k, the diagonal d[0..k-1] and off-diagonal e[0..k-2] (e[i] couples
 *      i and i+1).
 * Out: d overwritten with the eigenvalues in increasing order, z (k*k,
 *      column-major: column j is the eigenvector of d[j], unit length).
 * Implicit QL with Wilkinson-type shifts (EISPACK's tql2), O(k^3) with the
 * vectors; k is a few hundred at most here.
 */
#ifndef HESSC_TRIDIAG_EIG_H
#define HESSC_TRIDIAG_EIG_H

#include "status.h"

/* HESSC_ERR_INTERNAL when an eigenvalue has not converged after 60 QL
 * sweeps (does not happen for finite input); HESSC_ERR_NOMEM;
 * HESSC_ERR_USAGE for k < 1. */
hessc_status tridiag_eig(int k, double *d, const double *e, double *z);

#endif
