param a := 0;
param b := 1 / a;
var x;
minimize f: b * x^2;
