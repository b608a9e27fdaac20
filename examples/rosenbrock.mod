# rosenbrock.mod -- the extended Rosenbrock function in N variables.
#
# f(x) = sum_{i<N} 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2
# Minimum 0 at x = (1, ..., 1); the classic start is (-1.2, 1, -1.2, 1, ...).
# Its Hessian is tridiagonal.  Change N with -D N=1000.

param N := 10;

# odd components start at -1.2, even ones at 1 (if-then-else on the index)
var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;

minimize rosenbrock:
	sum {i in 1..N-1} (100 * (x[i+1] - x[i]^2)^2 + (1 - x[i])^2);
