param a;
var x := 2*a;
minimize f: x^2;
