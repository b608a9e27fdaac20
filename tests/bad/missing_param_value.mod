param p{1..3};
var x;
minimize f: sum {i in 1..3} p[i] * x^2;
data;
param p := 1 1 2 2;
