var x;
minimize f: x^2;
display "done;
