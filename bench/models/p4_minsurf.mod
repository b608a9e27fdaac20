# P4 of PROBLEMS.md: minsurf, a minimal surface on a p x p grid
# (variables in row-major order x[1,1], x[1,2], ...).
param p := 100;
var x{i in 1..p, j in 1..p} := (i + j)/p;

minimize f:
	sum {i in 1..p-1, j in 1..p-1}
		sqrt(1 + 0.5*(p-1)^2*((x[i,j] - x[i+1,j+1])^2 + (x[i+1,j] - x[i,j+1])^2)) / (p-1)^2;
