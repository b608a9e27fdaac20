var x;
minimize f: x^2;
data;
param x := 1 2 3;
