/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers (Node >= 22). On Node 20 every Task then
 * fails with a TypeError that a States.ALL catcher swallows, so this must load before it runs.
 */
interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseCtor = Promise as PromiseConstructor & { withResolvers?: <T>() => PromiseWithResolversShape<T> };

if (typeof PromiseCtor.withResolvers !== 'function') {
  PromiseCtor.withResolvers = <T>(): PromiseWithResolversShape<T> => {
    let resolve!: PromiseWithResolversShape<T>['resolve'];
    let reject!: PromiseWithResolversShape<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
