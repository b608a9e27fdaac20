# P5 of PROBLEMS.md with its data left to run time: l2-regularized logistic
# regression, m samples, d features.  X and y have no value here, so
# `hessc gen` makes them inputs of the kernels (the generated header's
# logreg_data); `hessc eval` needs them from a data file.  The harness
# fills them as PROBLEMS.md defines them.
param m := 10000;
param d := 100;
param lambda := 0.01;
param X{i in 1..m, j in 1..d};
param y{i in 1..m};
var w{1..d} := 0;

minimize f:
	sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))
	+ lambda/2 * sum {j in 1..d} w[j]^2;
