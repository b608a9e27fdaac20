# logistic.mod -- L2-regularized logistic regression on 40 observations.
#
# Labels y[i] in {0,1}, features X[i,j]; the model is P(y=1) = 1/(1+exp(-z))
# with z = b + sum_j w[j] X[i,j].  We minimize the negative log-likelihood
#   sum_i log(1 + exp(z[i])) - y[i] z[i]
# plus lambda/2 |w|^2.  The linear predictor z is a defined variable: it is
# computed once per observation and shared by both terms.
# The data is in the data section below (table form for X, list for y).

param m;                     # observations
param p;                     # features
param lambda >= 0 := 0.01;   # ridge weight
param X{1..m, 1..p};
param y{1..m} binary;

var w{1..p} := 0;
var b := 0;

var z{i in 1..m} = b + sum {j in 1..p} w[j] * X[i,j];

minimize nll:
	sum {i in 1..m} (log(1 + exp(z[i])) - y[i] * z[i])
	+ lambda / 2 * sum {j in 1..p} w[j]^2;

data;

param m := 40;
param p := 3;

param X: 1 2 3 :=
  1  -0.70  -1.40   0.60
  2   0.14  -0.54  -1.77
  3  -1.85  -0.27  -1.72
  4  -0.30   1.31  -1.50
  5   0.51   1.79   0.31
  6   1.91  -1.81   1.43
  7  -1.42  -1.53  -0.77
  8  -1.28   0.33   0.56
  9   0.19  -1.75  -1.76
 10   0.72  -0.29  -0.74
 11  -0.19  -0.80   1.18
 12  -1.02   0.30   0.10
 13   0.92  -0.85   1.92
 14  -0.33   1.03  -1.39
 15  -1.84   0.67   1.06
 16   1.50  -0.75   0.78
 17   0.32  -0.18   1.36
 18  -0.10   0.66  -1.76
 19   0.59   1.97   1.29
 20  -0.46   0.67  -1.91
 21  -1.33  -1.53  -1.76
 22  -1.48  -1.01  -0.44
 23  -1.68  -0.20   0.20
 24   1.28   1.46  -0.89
 25  -0.56   1.54   1.83
 26  -1.30  -1.07  -1.07
 27   0.36  -0.95  -1.98
 28  -0.52   0.27   1.81
 29   0.06   0.47   0.70
 30   1.60   1.12   1.50
 31  -0.43  -0.40  -1.59
 32  -1.75  -1.73  -1.16
 33  -0.64  -1.79  -2.00
 34  -1.59  -0.55  -1.90
 35   0.46  -1.41  -0.99
 36  -0.54  -1.51   1.40
 37  -0.14  -0.06  -1.66
 38  -0.63  -0.94   1.32
 39  -1.91   1.80   0.11
 40   0.17  -1.89   0.11 ;

param y :=
 1 1 2 1 3 1 4 0 5 0 6 1 7 0 8 0 9 1 10 1
 11 1 12 0 13 1 14 0 15 0 16 1 17 0 18 0 19 0 20 0
 21 0 22 0 23 0 24 0 25 1 26 1 27 1 28 0 29 1 30 0
 31 0 32 1 33 1 34 0 35 1 36 0 37 1 38 1 39 0 40 0 ;
