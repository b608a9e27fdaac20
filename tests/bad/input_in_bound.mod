param a;
var x >= a;
minimize f: x^2;
