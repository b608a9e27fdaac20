param a{1..2, 1..2};
var x;
minimize f: sum {i in 1..2, j in 1..2} a[i,j] * x^2;
data;
param a: 1 2 :=
 1 1.0 2.0
 2 3.0;
