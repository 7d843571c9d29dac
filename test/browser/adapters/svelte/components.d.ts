// What a .svelte import is, for tsc (wtr compiles them with Svelte's compiler).
declare module '*.svelte' {
  import type { Component } from 'svelte'
  const component: Component<any>
  export default component
}
