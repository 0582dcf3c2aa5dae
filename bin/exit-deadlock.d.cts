/** Sets the V8 flags that keep a finished Node 24 process from hanging in its exit (see exit-deadlock.cjs). */
export declare function avoidExitDeadlock(): void;
