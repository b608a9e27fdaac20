var x{1..3};
minimize f: sum {i in 1..3} x[i]^2;
let x[0] := 1;
