var x{1..3};
for {i in 1..3} { let x[i] := i; }
minimize f: sum {i in 1..3} x[i]^2;
