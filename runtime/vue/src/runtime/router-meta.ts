// What each route says about itself (read by the auth guard and the title).
export {};

declare module 'vue-router' {
  interface RouteMeta {
    /** only for signed-in users: others are sent to /login?redirect=… */
    requiresAuth?: boolean;
    /** login and register: a signed-in user is sent home */
    guestOnly?: boolean;
    title?: string;
  }
}
