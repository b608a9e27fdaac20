# P2 of PROBLEMS.md: arwhead, an arrowhead Hessian (x[N] meets every term).
param N := 10000;
var x{1..N} := 1;

minimize f:
	sum {i in 1..N-1} (-4*x[i] + 3) + sum {i in 1..N-1} (x[i]^2 + x[N]^2)^2;
