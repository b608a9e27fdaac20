var x{1..3};
minimize f: x^2;
