# P1 of PROBLEMS.md: srosenbr, the separable (extended) Rosenbrock function.
# The size is N (even); hessc-bench sets it with -D N=...
param N := 10000;
var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;

minimize f:
	sum {i in 1..N/2} (100*(x[2*i] - x[2*i-1]^2)^2 + (x[2*i-1] - 1)^2);
