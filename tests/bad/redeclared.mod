var x;
param x := 2;
minimize f: x^2;
