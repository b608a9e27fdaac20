param N integer >= 1 := 3;
param y{i in 1..N} >= -i;
var x := 1;
minimize f: sum {i in 1..N} y[i] * x;
data;
param y := 1 0 2 -1 3 -4;
