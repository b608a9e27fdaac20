# P3 of PROBLEMS.md: bdqrtic, a banded quartic with x[N] in every term.
param N := 10000;
var x{1..N} := 1;

minimize f:
	sum {i in 1..N-4} ((-4*x[i] + 3)^2
		+ (x[i]^2 + 2*x[i+1]^2 + 3*x[i+2]^2 + 4*x[i+3]^2 + 5*x[N]^2)^2);
