# chain.mod -- extended Rosenbrock over N variables with a bound on the
# first one: the model the build-time example generates kernels for.
#   f = sum_{i=1}^{N/2} 100 (x[2i] - x[2i-1]^2)^2 + (1 - x[2i-1])^2
# Unconstrained, every pair goes to (1, 1); with x[1] <= 0.5 the first
# pair stops at (0.5, 0.25) on its bound, the others still at (1, 1).
param N := 1000;
var x {i in 1..N} := if i mod 2 = 1 then -1.2 else 1;
subject to cap: x[1] <= 0.5;
minimize f: sum {i in 1..N/2} (100 * (x[2*i] - x[2*i-1]^2)^2 + (1 - x[2*i-1])^2);
