<?php

use Illuminate\Support\Facades\Facade;
use Illuminate\Support\ServiceProvider;

return [

    'name' => env('APP_NAME', 'Parcelnest Seller'),

    'env' => env('APP_ENV', 'production'),

    // Debug pages are never shown in production, whatever the env file says.
    'debug' => env('APP_ENV', 'production') === 'production'
        ? false
        : (bool) env('APP_DEBUG', false),

    // Keep secrets out of error pages in every environment.
    'debug_hide' => [
        '_ENV' => ['APP_KEY', 'DB_PASSWORD', 'POSTMARK_TOKEN', 'CARRIER_API_KEY'],
        '_SERVER' => ['APP_KEY', 'DB_PASSWORD', 'POSTMARK_TOKEN', 'CARRIER_API_KEY'],
    ],

    'url' => env('APP_URL', 'http://localhost'),

    'timezone' => 'UTC',

    'locale' => 'en',

    'key' => env('APP_KEY'),

    'cipher' => 'AES-256-CBC',

    'providers' => ServiceProvider::defaultProviders()->merge([
        App\Providers\AppServiceProvider::class,
        App\Providers\RouteServiceProvider::class,
    ])->toArray(),

    'aliases' => Facade::defaultAliases()->toArray(),

];
