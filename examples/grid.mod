# grid.mod -- a minimal surface over the unit square, on a p x p grid.
#
# Heights u[i,j] at the grid points; the boundary is fixed by bounds
# (single-variable constraints, which AMPL's presolve and hessc turn into
# bounds) to the saddle g(s,t) = s^2 - t^2.  The objective is the area of
# the surface, a sum over cells of sqrt(1 + |grad u|^2) h^2: a nonlinear
# (non-quadratic) Dirichlet-like energy.  The Hessian has the 9-point
# stencil's pattern.  Change the size with -D p=100.

param p := 20;               # points per side
param h := 1 / (p - 1);      # mesh width

set POINTS := {i in 1..p, j in 1..p};
set BOUNDARY := {(i,j) in POINTS: i == 1 or i == p or j == 1 or j == p};

param g{(i,j) in POINTS} := ((i-1)*h)^2 - ((j-1)*h)^2;

var u{i in 1..p, j in 1..p} := 0;

subject to fixed{(i,j) in BOUNDARY}: u[i,j] = g[i,j];

minimize area:
	sum {i in 1..p-1, j in 1..p-1}
		h^2 * sqrt(1 + ((u[i+1,j] - u[i,j])^2 + (u[i,j+1] - u[i,j])^2) / h^2);

# start at 0 inside and at the boundary values on the boundary
let {(i,j) in BOUNDARY} u[i,j] := g[i,j];
