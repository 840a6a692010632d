// A Pulumi program that declares nothing: the baseline of tools/measureRefresh.ts (what any preview costs).
export {};
