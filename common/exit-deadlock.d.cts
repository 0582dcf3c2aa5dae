/** The V8 flags that keep a finished Node 24 process from hanging in its exit (see exit-deadlock.cjs). */
export declare const EXIT_DEADLOCK_V8_FLAGS: readonly string[];
/** Sets EXIT_DEADLOCK_V8_FLAGS in this process; an entry point's first call. */
export declare function avoidExitDeadlock(): void;
