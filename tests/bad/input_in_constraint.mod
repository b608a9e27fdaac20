param a;
var x;
subject to lo: x >= a;
minimize f: x^2;
