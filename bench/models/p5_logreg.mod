# P5 of PROBLEMS.md: l2-regularized logistic regression, m samples, d
# features, with X and y computed by the model itself.  p5_logreg_data.mod
# is the same model with X and y left to run time.
param m := 10000;
param d := 100;
param lambda := 0.01;
param X{i in 1..m, j in 1..d} := ((i*7919 + j*104729) mod 1000)/500 - 1;
param y{i in 1..m} := if i mod 3 == 0 then 1 else -1;
var w{1..d} := 0;

minimize f:
	sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))
	+ lambda/2 * sum {j in 1..d} w[j]^2;
