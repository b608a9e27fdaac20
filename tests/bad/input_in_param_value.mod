param a;
param b := 2*a;
var x;
minimize f: b*x^2;
