/**
 * How the model keeps nanoseconds in V8's object fields.
 *
 * V8 gives an object field the representation of the first value stored in it. A field that
 * starts at `0` is a small integer; the first time it receives anything else — a fraction, a value
 * past 2^30 (1.07 simulated seconds, or a sum of times that large), or a whole number that came
 * out of floating-point arithmetic or a Float64Array — V8 widens the field for every object of
 * that shape and throws away every optimized function that relied on the old one. On
 * numaq-16-kernbench that happened twice in the first 1.5 simulated seconds (the kernel's `now`
 * at 0.1 s, kernbench's `jobTotal` at 1.4 s), each time a cascade of about 20–40 deoptimized
 * functions that ran in the interpreter again until they were re-optimized (docs/PERFORMANCE.md:
 * the first simulated second).
 *
 * So a field that holds simulated nanoseconds — a time, a sum of times, a longest time — or any
 * other non-integer starts at `NS_ZERO`: `-0` is a number V8 cannot keep as a small integer, so
 * the field is a double from the start. It equals 0 in every comparison and arithmetic result
 * that matters here, and prints as `0` in JSON and in template strings.
 */
export const NS_ZERO = -0;
